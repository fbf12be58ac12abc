//! ruml's virtual networks. The guest's TCP/IP stack is Linux's own, in the
//! VM's private network namespace; what ruml adds are the network devices:
//! each `eth<N>=` NIC (`param`) is a tap device inside that namespace whose
//! frames ruml carries to and from a transport (`nic`, `transport`), and the
//! tools that build the wire between VMs (`switch`, as uml_switch).
#![forbid(unsafe_code)]

pub mod nic;
pub mod param;
pub mod slirp;
pub mod switch;
pub mod transport;
