# Shared by the scripts that build test binaries from the Go module proxy
# (hack/install-*.sh). Source it after
# setting dest (the folder built into) and stamp (its DEST/.versions file).

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# built NAME VERSION: DEST/NAME exists and was recorded as built from VERSION.
built() { [[ -e $dest/$1 && -f $stamp ]] && grep -qxF "$1=$2" "$stamp"; }
# record NAME VERSION: note that DEST/NAME is now built from VERSION.
record() {
  { [[ -f $stamp ]] && grep -v "^$1=" "$stamp" || true; } > "$stamp.new"
  echo "$1=$2" >> "$stamp.new"
  mv "$stamp.new" "$stamp"
}
# build NAME PACKAGE [go build flags...]: go build PACKAGE into DEST/NAME in the
# current module, reporting how long it took.
build() {
  local name=$1 pkg=$2 start=$SECONDS
  shift 2
  log "  $name"
  go build -trimpath "$@" -o "$dest/$name" "$pkg" || die "go build $pkg failed"
  log "  $name built in $((SECONDS - start))s"
}

# fetch MODULE@VERSION: prints the module's directory in the module cache, or
# fails with a message that points at the proxy, the usual reason.
fetch() {
  local out
  if ! out=$(go mod download -json "$1" 2>&1); then
    die "cannot download $1 from the Go module proxy ($(go env GOPROXY)): $out"
  fi
  printf '%s' "$out" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

# workspace: checks for Go, creates DEST and a throwaway folder $work (removed on
# exit; the module cache marks files read-only) for the build module, and sets the
# build environment. $proxy names the Go module proxy for error messages.
workspace() {
  command -v go >/dev/null || die "go is not on PATH; install Go 1.26 first"
  mkdir -p "$dest"
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  export GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0
  proxy=$(go env GOPROXY)
}
