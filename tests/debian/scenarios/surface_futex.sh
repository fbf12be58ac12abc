# system calls of the 'futex' family as glibc makes them (tests/debian/surface.c, dynamically linked)
"$SCENARIO_DIR/surface" futex
