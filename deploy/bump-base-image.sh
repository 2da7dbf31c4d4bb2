#!/usr/bin/env bash
# Pin the Dockerfile's base image to the digest its tag points at now: `make bump-base-image`, then review and
# commit the one-line change. Needs Docker with buildx and the network (never run by the tests).
#   deploy/bump-base-image.sh [DOCKERFILE]
set -euo pipefail
dockerfile=${1:-"$(dirname "$0")/../Dockerfile"}
tag=$(sed -n 's/^ARG PYTHON_IMAGE=\([^@]*\)@sha256:[0-9a-f]\{64\}$/\1/p' "$dockerfile")
[[ -n $tag ]] || { echo "no 'ARG PYTHON_IMAGE=<tag>@sha256:<digest>' line in $dockerfile" >&2; exit 1; }
# The digest of the tag's index (every platform), as `docker pull` resolves it.
digest=$(docker buildx imagetools inspect "$tag" --format '{{json .Manifest.Digest}}' | tr -d '"')
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "unexpected digest for $tag: $digest" >&2; exit 1; }
sed -i "s|^ARG PYTHON_IMAGE=.*|ARG PYTHON_IMAGE=$tag@$digest|" "$dockerfile"
echo "$tag -> $digest"
