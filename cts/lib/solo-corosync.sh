# Shell tests that need one private corosync node (cts/based/onenode.sh,
# cts/belayd/onenode.sh) source this for its configuration and start-up.
# Needs $work (the test's scratch directory); sets corosync_pid.

# write_solo_corosync_conf: $work/corosync.conf for a one-node cluster on loopback, with
# its state and log in $work.
write_solo_corosync_conf() {
    cat >"$work/corosync.conf" <<CONF
totem {
  version: 2
  cluster_name: belaytest
  transport: knet
  crypto_cipher: none
  crypto_hash: none
}
nodelist {
  node {
    name: solo
    nodeid: 1
    ring0_addr: 127.0.0.1
  }
}
quorum {
  provider: corosync_votequorum
}
system {
  state_dir: $work
}
logging {
  to_logfile: yes
  logfile: $work/corosync.log
  to_syslog: no
  to_stderr: no
}
CONF
}

# start_corosync: runs corosync in the foreground of a background job.
start_corosync() {
    corosync -f -c "$work/corosync.conf" >"$work/corosync.out" 2>&1 &
    corosync_pid=$!
}
