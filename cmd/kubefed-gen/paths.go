package main

import "path/filepath"

// joinRelative resolves rel against the folder of file.
func joinRelative(file, rel string) string {
	return filepath.Join(filepath.Dir(file), rel)
}
