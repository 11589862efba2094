#!/bin/bash
# Every class of bad input to belay: non-zero exit, ONE line on stderr with the expected
# words, and the CIB file byte-for-byte unchanged with the same inode and mtime.
. "$(dirname "$0")/../../tools/tests/cli-lib.sh"

F="$WORK/cib.xml"
cp "$top_srcdir/tools/tests/status-cib.xml" "$F"
b() { "$BELAY" --file "$F" "$@"; }
script() { printf "$1" | "$BELAY" --file "$F" -f -; }

# unknown commands and keywords
fails_cleanly "unknown command" "$F" "frobnicate" b frobnicate
fails_cleanly "unknown configure command, with a hint" "$F" "primitiv" \
    b configure primitiv vip2 ocf:heartbeat:Dummy
fails_cleanly "unknown keyword inside a primitive" "$F" "parms" \
    b configure primitive d1 ocf:heartbeat:Dummy parms state=/tmp/x
fails_cleanly "unknown resource command" "$F" "bann|did you mean 'ban'" b resource bann vip node1
fails_cleanly "unknown node command" "$F" "stanby|did you mean 'standby'" b node stanby node1

# bad values, ids and references
fails_cleanly "bad score" "$F" "l-bad|abc" b configure location l-bad vip abc: node1
fails_cleanly "missing id" "$F" "primitive" b configure primitive
fails_cleanly "duplicate id" "$F" "vip" b configure primitive vip ocf:heartbeat:Dummy
fails_cleanly "dangling reference with did-you-mean" "$F" \
    "web-with-vip2|no resource 'webserverr'|did you mean 'webserver'" \
    b configure colocation web-with-vip2 inf: webserverr vip
fails_cleanly "dangling reference in a script names the line" "$F" \
    "line 3|colocation web-with-vip2|no resource 'webserverr'|did you mean 'webserver'" \
    script 'configure\nprimitive d2 ocf:heartbeat:Dummy\ncolocation web-with-vip2 inf: webserverr vip\ncommit\n'
fails_cleanly "unbalanced quote" "$F" "line 1|quote" \
    script 'configure primitive d3 ocf:heartbeat:Dummy params state="/tmp/x\n'

# resource and node commands on things that do not exist
fails_cleanly "unknown resource" "$F" "no resource 'vipp'|did you mean 'vip'" b resource stop vipp
fails_cleanly "unknown node for a resource command" "$F" "no node 'node4'" b resource ban vip node4
fails_cleanly "unknown node" "$F" "no node 'nodeX'" b node standby nodeX
fails_cleanly "unknown meta attribute" "$F" "no meta attribute 'nope'" b resource meta vip delete nope

# bad usage
fails_cleanly "resource without a command" "$F" "resource" b resource
fails_cleanly "move without a resource" "$F" "move|RSC" b resource move
fails_cleanly "cib show --section without a name" "$F" "--section" b cib show --section
fails_cleanly "configure without a command" "$F" "configure" b configure
fails_cleanly "--file without a path" "$F" "--file" "$BELAY" --file
fails_cleanly "extra argument after -f" "$F" "unexpected argument" b -f - extra
fails_cleanly "node lifetime that is not one" "$F" "lifetime" b node standby node1 sometimes

# a script fails as a whole: earlier good lines are not written either
fails_cleanly "script: a good line then a bad one writes nothing" "$F" "line 2|bogus" \
    script 'resource move vip node2\nresource bogus vip\n'

# a result that fails schema or semantic validation is not written
cp "$top_srcdir/tools/tests/status-cib.xml" "$WORK/invalid.xml"
sed -i 's#<rsc_order id="vip-before-web"#<rsc_colocation id="ghost-with-vip" score="INFINITY" rsc="ghost" with-rsc="vip"/>\n      &#' \
    "$WORK/invalid.xml"
if "$BELAY" --file "$WORK/invalid.xml" cib verify 2> /dev/null; then
    not_ok "cib verify accepts a CIB with a dangling reference"
else
    fails_cleanly "invalid result (dangling reference already in the file) is not written" \
        "$WORK/invalid.xml" "invalid|ghost" "$BELAY" --file "$WORK/invalid.xml" resource move vip node2
    equals "invalid result exits 4" "4" "$LAST_RC"
    fails_cleanly "cib verify names the problem" "$WORK/invalid.xml" "ghost-with-vip|ghost" \
        "$BELAY" --file "$WORK/invalid.xml" cib verify
fi

tap_done
