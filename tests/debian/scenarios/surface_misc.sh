# system calls of the 'misc' family as glibc makes them (tests/debian/surface.c, dynamically linked)
"$SCENARIO_DIR/surface" misc
