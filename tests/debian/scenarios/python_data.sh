# python3 sqlite3 on a file, hashlib, json, zlib, base64, struct, decimal, random with a seed
python3 - <<'PY'
import sqlite3, hashlib, json, zlib, base64, struct, decimal, random, os, gzip, lzma, bz2, csv, io
con = sqlite3.connect("t.db"); c = con.cursor()
c.execute("create table t (k integer primary key, v text)")
c.executemany("insert into t(v) values (?)", [(str(i),) for i in range(5000)]); con.commit()
print(c.execute("select count(*), sum(k), max(v) from t").fetchone())
con.execute("pragma journal_mode=wal"); con.execute("delete from t where k % 2 = 0"); con.commit()
print(con.execute("select count(*) from t").fetchone()); con.close()
con = sqlite3.connect("t.db"); print(con.execute("pragma integrity_check").fetchone()); con.close()
print(hashlib.sha256(b"abc").hexdigest()); print(hashlib.md5(b"x" * 1000000).hexdigest())
print(hashlib.blake2b(b"ruml", digest_size=16).hexdigest(), hashlib.sha3_256(b"").hexdigest()[:16])
print(hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex()[:32])
d = {"a": [1, 2.5, None, True], "b": {"c": "é"}}; s = json.dumps(d, sort_keys=True); print(s, json.loads(s) == d)
print(json.dumps(d, ensure_ascii=False, indent=1).count("\n"))
z = zlib.compress(b"abc" * 1000); print(len(z), zlib.decompress(z)[:6], zlib.crc32(b"abc"))
print(base64.b64encode(b"ruml\x00\xff"), base64.b32decode(base64.b32encode(b"hi")))
print(struct.pack("<IhQ", 1, -2, 3).hex(), struct.unpack(">H", b"\x01\x02"))
decimal.getcontext().prec = 30; print(decimal.Decimal(1) / decimal.Decimal(7))
random.seed(42); print([random.randint(0, 100) for _ in range(5)])
print(len(gzip.compress(b"x" * 10000, mtime=0)), lzma.decompress(lzma.compress(b"lz")), bz2.decompress(bz2.compress(b"bz")))
f = io.StringIO(); csv.writer(f).writerows([["a", "b,c"], [1, 2]]); print(repr(f.getvalue()))
print(len(os.urandom(16)), len(os.getrandom(8)), len(__import__("secrets").token_hex(8)))
PY
