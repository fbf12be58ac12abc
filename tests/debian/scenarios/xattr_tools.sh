# extended attributes with setfattr/getfattr/attr on the root filesystem, and the errors where unsupported
touch f
setfattr -n user.test -v hello f && getfattr -n user.test --only-values f; echo
setfattr -n user.second -v 2 f; getfattr -d f | grep -v '^$' | sort
setfattr -x user.test f; getfattr -d f | grep -c user.test
getfattr -n user.missing f 2>&1 | sed 's/^f: //'
setfattr -n trusted.t -v v f 2>&1; echo "trusted status $?"
setfattr -n user.x -v y /proc/self/status 2>&1 | sed 's/^.*: //'
attr -s a -V b f >/dev/null && attr -g a f | tail -1; attr -l f | sort
cp --preserve=xattr f g && getfattr -d g | grep -c user.second
