#!/bin/sh
# Renders the demo's hand-written product SVGs (assets/tools/images/*.svg) to 600x600 PNGs in
# assets/demo/images/, then quantises them to a palette so each stays well under 150 KB.
# Needs rsvg-convert (Debian: librsvg2-bin) and pngquant (Debian: pngquant).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src="$here/images"
out="$here/../demo/images"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for svg in "$src"/*.svg; do
    name=$(basename "$svg" .svg)
    rsvg-convert --width 600 --height 600 --format png "$svg" --output "$tmp/$name.png"
    # 256 colours with dithering keeps the soft gradients smooth; --strip drops metadata
    # (timestamps) so a re-render of an unchanged SVG gives the same bytes.
    pngquant --force --strip --speed 1 --quality 75-98 --output "$out/$name.png" "$tmp/$name.png"
    size=$(wc -c < "$out/$name.png")
    if [ "$size" -ge 153600 ]; then
        echo "$name.png is $size bytes: over the 150 KB budget" >&2
        exit 1
    fi
    echo "$name.png $size bytes"
done
