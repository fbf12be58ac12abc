# the package tools read their databases: dpkg -l/-L/-s, dpkg-query, apt-get, apt-cache
dpkg -l | head -5 | tail -2 | cut -c1-30
dpkg -l | awk '/^ii/ {print $2}' | grep -c .
dpkg -l bash coreutils | awk '/^ii/ {print $1, $2}'
dpkg -L coreutils | grep -E '^/usr/bin/(ls|cat)$'
dpkg -s bash | grep -E '^(Package|Status|Priority):'
dpkg-query -W -f='${Package} ${Status}\n' sed grep
dpkg -S /bin/ls 2>&1 | head -1
dpkg --print-architecture; dpkg --compare-versions 1.2 lt 1.10 && echo vercmp
apt-get --version | head -1
apt-cache policy bash | head -3
apt-cache show sed | grep -m1 -E '^Package'
apt-cache depends coreutils | head -2
apt-get -s install nosuchpackage 2>&1 | tail -1
apt-config dump | grep -c APT
