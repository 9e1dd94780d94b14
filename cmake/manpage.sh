#!/bin/sh
# Writes bench's man page OUT from its --help texts (help2man for the page, one subsection
# per command with that command's --help), at build time, so the page never drifts from
# the binary. usage: manpage.sh path/to/bench OUT
set -e
BENCH=$1 OUT=$2
inc=$(mktemp) && trap 'rm -f "$inc"' EXIT
{
	echo '[COMMANDS]'
	for c in $("$BENCH" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'); do
		printf '.SS "bench %s"\n.nf\n' "$c"
		# roff: a backslash is \e; a line starting with . or ' is text, not a request
		"$BENCH" "$c" --help | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
		printf '.fi\n'
	done
	printf '[SEE ALSO]\nBENCHMARKS.md and README.md of the bench sources: what each benchmark measures, the\nresults schema, the CI recipe.\n'
} >"$inc"
help2man -N --no-discard-stderr -n "measure threads, processes, coroutines and a simulated GIL on the same work" \
	-i "$inc" -o "$OUT.tmp" "$BENCH"
mv "$OUT.tmp" "$OUT"
