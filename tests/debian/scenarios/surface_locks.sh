# system calls of the 'locks' family as glibc makes them (tests/debian/surface.c, dynamically linked)
"$SCENARIO_DIR/surface" locks
