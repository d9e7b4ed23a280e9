#!/usr/bin/env bash
# Builds the reference server image (default ovcert-reference:dev): a FROM-scratch image around
# a statically linked `ovcert` (docker/Dockerfile), and prints its image id.
#
# The static binary is built in its own target directory so the normal (dynamic, debug) build
# stays untouched. The build context holds only the binary and the Dockerfile.
#
# Settings (environment):
#   OVCERT_IMAGE               image name and tag          [ovcert-reference:dev]
#   OVCERT_STATIC_TARGET_DIR   cargo target dir for the static build [<repo>/target/static]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
image=${OVCERT_IMAGE:-ovcert-reference:dev}
target_dir=${OVCERT_STATIC_TARGET_DIR:-$repo/target/static}
triple=x86_64-unknown-linux-gnu

say() { echo "build-image.sh: $*" >&2; }
fail() {
    say "error: $*"
    exit 1
}

"$repo/docker/engine.sh"

say "building a static ovcert (release, $triple, +crt-static) in $target_dir"
started=$SECONDS
# --target keeps RUSTFLAGS away from build scripts and proc macros, which cannot be static.
RUSTFLAGS="-C target-feature=+crt-static" cargo build \
    --manifest-path "$repo/Cargo.toml" --locked --release \
    -p ovcert --bin ovcert --target "$triple" --target-dir "$target_dir"
binary=$target_dir/$triple/release/ovcert
say "static build done in $((SECONDS - started)) s"

# A FROM-scratch image has no dynamic loader: a binary that asks for one cannot start there.
if command -v readelf >/dev/null 2>&1; then
    if readelf --program-headers "$binary" | grep -q 'program interpreter'; then
        fail "$binary is dynamically linked (it names an ELF interpreter); it cannot run FROM scratch"
    fi
else
    say "readelf not found: not checking that $binary is static"
fi

version=$("$binary" --version | awk '{print $2}')
revision=unknown
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
    revision=$(git -C "$repo" rev-parse HEAD)
    if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no) ]]; then
        revision+="-dirty"
    fi
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
# The release profile keeps line tables for backtraces (~90 MB of them); the image does
# without: function names stay, the image shrinks to about a fifth.
if command -v objcopy >/dev/null 2>&1; then
    objcopy --strip-debug "$binary" "$context/ovcert"
else
    say "objcopy not found: the image keeps the binary's debug information"
    cp "$binary" "$context/ovcert"
fi
cp "$repo/docker/Dockerfile" "$context/Dockerfile"

say "building image $image (ovcert $version, revision $revision)"
started=$SECONDS
# The classic builder: BuildKit would need the buildx plugin, which Debian's docker.io lacks.
# Its only message on success is that deprecation notice, so stderr is shown on failure only.
if ! build_log=$(DOCKER_BUILDKIT=0 docker build --quiet \
    --build-arg "OVCERT_VERSION=$version" \
    --build-arg "OVCERT_REVISION=$revision" \
    --tag "$image" "$context" 2>&1 >/dev/null); then
    printf '%s\n' "$build_log" >&2
    fail "docker build of $image failed"
fi
say "image built in $((SECONDS - started)) s"
# The image this tag named before is now untagged; drop it (only ovcert-reference images).
docker image prune --force --filter label=org.opencontainers.image.title=ovcert-reference >/dev/null

id=$(docker image inspect --format '{{.Id}}' "$image")
size=$(docker image inspect --format '{{.Size}}' "$image")
say "image $image: $id ($((size / 1024 / 1024)) MiB)"
echo "$id"
