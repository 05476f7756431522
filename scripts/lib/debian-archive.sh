# Sourced by scripts that read another suite of Debian's archive with a
# private apt state (scripts/build-kernel, scripts/check-wraps): the mirror
# comes from this machine's apt configuration, never from the repository.

# The URI of the machine's own Debian archive: the source whose suites
# include this system's codename (not -security, not third-party ones).
# Prints nothing when there is none.
debian_uri() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[[ -n $codename ]] || return 0
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
	awk -v c="$codename" '
		/^[ \t]*#/ { next }
		/^deb(-src)?[ \t]/ { sub(/\[[^]]*\][ \t]*/, ""); if ($3 == c) { print $2; exit } next }
		/^URIs:/ { uri = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == c && uri != "") { print uri; exit } }
		/^$/ { uri = "" }'
}

# "URI suite" for each of this machine's own Debian sources whose suite is
# this system's codename or codename-* (updates, security), one a line:
# the suites an installed package's version can have come from.
debian_sources() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[[ -n $codename ]] || return 0
	# Some of these files may not exist: cat's status is not the answer.
	{ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
	awk -v c="$codename" '
		function ours(s) { return s == c || index(s, c "-") == 1 }
		/^[ \t]*#/ { next }
		/^deb(-src)?[ \t]/ { sub(/\[[^]]*\][ \t]*/, ""); if (ours($3) && !seen[$2 " " $3]++) print $2, $3; next }
		/^URIs:/ { uri = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if (uri != "" && ours($i) && !seen[uri " " $i]++) print uri, $i }
		/^$/ { uri = "" }'
}
