// Package app builds kubefedctl's command tree: the root command, its global
// flags and every command under it, ready to run in-process or from main.
package app
