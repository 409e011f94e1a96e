//! Small histories for snippets and the widget, which cannot read files.
//!
//! [`ETCD_000_PREFIX`] is the first 86 lines of `shared/histories/etcd/etcd_000.log`, a history
//! Jepsen recorded against etcd (from the test data of the MIT-licensed Porcupine checker, which
//! took the etcd logs from the linearizability-checker project). The whole file is not
//! linearizable, and neither is this prefix: it breaks at line 86. A test checks the prefix
//! against the shared file when that is present.

/// The first 86 lines of Jepsen's `etcd_000.log`.
pub const ETCD_000_PREFIX: &str = "\
INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 3\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 2\t:invoke\t:write\t4\n\
INFO  jepsen.util - 1\t:invoke\t:write\t2\n\
INFO  jepsen.util - 4\t:invoke\t:write\t3\n\
INFO  jepsen.util - 3\t:ok\t:read\tnil\n\
INFO  jepsen.util - 0\t:ok\t:read\tnil\n\
INFO  jepsen.util - 4\t:ok\t:write\t3\n\
INFO  jepsen.util - 1\t:ok\t:write\t2\n\
INFO  jepsen.util - 2\t:ok\t:write\t4\n\
INFO  jepsen.util - 3\t:invoke\t:write\t3\n\
INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 0\t:ok\t:read\t3\n\
INFO  jepsen.util - 3\t:ok\t:write\t3\n\
INFO  jepsen.util - 4\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 4\t:ok\t:read\t3\n\
INFO  jepsen.util - 1\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 1\t:ok\t:read\t3\n\
INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\n\
INFO  jepsen.util - 2\t:ok\t:cas\t[3 0]\n\
INFO  jepsen.util - 0\t:invoke\t:write\t2\n\
INFO  jepsen.util - 3\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 0\t:ok\t:write\t2\n\
INFO  jepsen.util - 3\t:ok\t:read\t0\n\
INFO  jepsen.util - 4\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 4\t:ok\t:read\t2\n\
INFO  jepsen.util - 1\t:invoke\t:cas\t[0 3]\n\
INFO  jepsen.util - 2\t:invoke\t:cas\t[0 0]\n\
INFO  jepsen.util - 1\t:fail\t:cas\t[0 3]\n\
INFO  jepsen.util - 2\t:fail\t:cas\t[0 0]\n\
INFO  jepsen.util - 0\t:invoke\t:cas\t[2 1]\n\
INFO  jepsen.util - 3\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 3\t:ok\t:read\t2\n\
INFO  jepsen.util - 0\t:ok\t:cas\t[2 1]\n\
INFO  jepsen.util - 4\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 4\t:ok\t:read\t1\n\
INFO  jepsen.util - 1\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 1\t:ok\t:read\t1\n\
INFO  jepsen.util - 2\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 2\t:ok\t:read\t1\n\
INFO  jepsen.util - 3\t:invoke\t:write\t0\n\
INFO  jepsen.util - 0\t:invoke\t:cas\t[1 3]\n\
INFO  jepsen.util - 3\t:ok\t:write\t0\n\
INFO  jepsen.util - 4\t:invoke\t:write\t2\n\
INFO  jepsen.util - 0\t:fail\t:cas\t[1 3]\n\
INFO  jepsen.util - 4\t:ok\t:write\t2\n\
INFO  jepsen.util - 1\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 1\t:ok\t:read\t2\n\
INFO  jepsen.util - 2\t:invoke\t:cas\t[1 1]\n\
INFO  jepsen.util - 2\t:fail\t:cas\t[1 1]\n\
INFO  jepsen.util - 3\t:invoke\t:cas\t[0 0]\n\
INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 0\t:ok\t:read\t2\n\
INFO  jepsen.util - 4\t:invoke\t:write\t1\n\
INFO  jepsen.util - 3\t:fail\t:cas\t[0 0]\n\
INFO  jepsen.util - 1\t:invoke\t:cas\t[2 1]\n\
INFO  jepsen.util - 2\t:invoke\t:write\t2\n\
INFO  jepsen.util - 2\t:ok\t:write\t2\n\
INFO  jepsen.util - 0\t:invoke\t:cas\t[1 4]\n\
INFO  jepsen.util - 3\t:invoke\t:write\t3\n\
INFO  jepsen.util - 4\t:info\t:write\t:timed-out\n\
INFO  jepsen.util - 0\t:fail\t:cas\t[1 4]\n\
INFO  jepsen.util - 3\t:ok\t:write\t3\n\
INFO  jepsen.util - 1\t:info\t:cas\t:timed-out\n\
INFO  jepsen.util - 2\t:invoke\t:write\t2\n\
INFO  jepsen.util - 9\t:invoke\t:write\t3\n\
INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 0\t:ok\t:read\t3\n\
INFO  jepsen.util - 2\t:ok\t:write\t2\n\
INFO  jepsen.util - 3\t:invoke\t:cas\t[3 4]\n\
INFO  jepsen.util - 3\t:fail\t:cas\t[3 4]\n\
INFO  jepsen.util - 6\t:invoke\t:cas\t[1 1]\n\
INFO  jepsen.util - 9\t:info\t:write\t:timed-out\n\
INFO  jepsen.util - 0\t:invoke\t:write\t1\n\
INFO  jepsen.util - 0\t:ok\t:write\t1\n\
INFO  jepsen.util - 2\t:invoke\t:cas\t[0 0]\n\
INFO  jepsen.util - 2\t:fail\t:cas\t[0 0]\n\
INFO  jepsen.util - 3\t:invoke\t:cas\t[2 2]\n\
INFO  jepsen.util - 6\t:info\t:cas\t:timed-out\n\
INFO  jepsen.util - 3\t:fail\t:cas\t[2 2]\n\
INFO  jepsen.util - 14\t:invoke\t:write\t4\n\
INFO  jepsen.util - 0\t:invoke\t:cas\t[4 3]\n\
INFO  jepsen.util - 0\t:fail\t:cas\t[4 3]\n\
INFO  jepsen.util - 2\t:invoke\t:write\t0\n\
INFO  jepsen.util - 11\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 11\t:ok\t:read\t2\n\
";
