# system calls of the 'limits' family as glibc makes them (tests/debian/surface.c, dynamically linked)
"$SCENARIO_DIR/surface" limits
