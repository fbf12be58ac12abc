# less as a pager on non-terminals, file(1) magic, zless and friends
seq 100 > nums; less -F nums | tail -1; seq 5 | less | wc -l; LESSOPEN= less -E nums | head -2
gzip -k nums; zless nums.gz | tail -1 2>/dev/null || zcat nums.gz | tail -1; zgrep -c 9 nums.gz; zcmp nums.gz nums.gz && echo zsame
file /bin/bash | cut -d, -f1-2 | sed 's|^/bin/bash: ||'; file nums nums.gz | sed 's/, .*//'; file -b --mime-type /etc/passwd
file -b /usr/bin/python3.11 | cut -d, -f1; file -L -b /bin/sh | cut -d, -f1; file -b /dev/null; file -b /proc/version
