# system calls of the 'xattr' family as glibc makes them (tests/debian/surface.c, dynamically linked)
"$SCENARIO_DIR/surface" xattr
