# tar with gzip and xz, compression tools and checksums
mkdir -p src/sub; for i in $(seq 1 50); do seq $i > src/f$i; done; ln -s f1 src/link; seq 100000 > src/sub/big
tar czf a.tgz src; tar tzf a.tgz | sort | head -5; tar tzf a.tgz | wc -l
mkdir out; tar xzf a.tgz -C out; diff -r src out/src && echo identical
tar cJf a.txz src; xz -t a.txz && echo xz-ok; mkdir out2; tar xJf a.txz -C out2; diff -r src out2/src && echo identical-xz
gzip -9 -k src/sub/big; gzip -l src/sub/big.gz | tail -1 | awk '{print $2}'; zcat src/sub/big.gz | md5sum
xz -k src/sub/big; xz -dc src/sub/big.xz | md5sum; xz -l src/sub/big.xz | tail -1 | awk '{print $5,$6}'
tar --numeric-owner -cf - src | tar -tvf - | awk '{print $1, $2}' | sort | uniq -c
tar cf - src | gzip | gunzip | tar tf - | wc -l
cd src && tar cf ../n.tar --sort=name f1 f2 link && cd .. && tar tvf n.tar | awk '{print $1, $6, $7, $8}'
