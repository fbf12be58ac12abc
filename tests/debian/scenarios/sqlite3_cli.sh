# sqlite3 command line on a file database
sqlite3 db.sqlite <<'SQL'
create table t(id integer primary key, name text, v real);
begin; insert into t(name, v) values ('a', 1.5), ('b', 2.5), ('c', 3); commit;
create index iv on t(v);
select count(*), sum(v) from t;
select name from t where v > 2 order by name desc;
update t set v = v * 2 where name = 'a';
select * from t;
.mode csv
select * from t where id = 1;
.mode list
pragma journal_mode=wal;
insert into t(name, v) select 'x' || value, value from generate_series(1, 1000);
select count(*) from t;
pragma integrity_check;
SQL
sqlite3 db.sqlite '.dump t' | head -3; sqlite3 db.sqlite 'select max(v) from t'
sqlite3 -json db.sqlite 'select name, v from t where id < 3'
