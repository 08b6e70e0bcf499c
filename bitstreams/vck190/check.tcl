# Parse-level checks of the Vivado scripts with a plain tclsh (no Vivado): kernel_args.tcl has the
# shape package_xo.tcl expects, and package_xo.tcl is a complete Tcl script.
set here [file dirname [file normalize [info script]]]
source [file join $here kernel_args.tcl]
set fail 0
proc bad {msg} { global fail; puts stderr "check.tcl: $msg"; set fail 1 }

set prev -1
foreach a $rsn_kernel_args {
  if {[llength $a] != 5} { bad "argument entry {$a} does not have 5 fields"; continue }
  lassign $a index name offset bytes busif
  if {$index != $prev + 1} { bad "argument $name has index $index after $prev" }
  set prev $index
  if {$offset % $bytes != 0} { bad "argument $name at $offset is not $bytes-byte aligned" }
  if {$offset < 0x10 || $offset + $bytes > $rsn_control_bytes} { bad "argument $name at $offset is outside the register space" }
}
set masters 0
set slaves 0
foreach p $rsn_axis_ports {
  lassign $p name mode width
  if {$mode eq "master"} { incr masters } elseif {$mode eq "slave"} { incr slaves } else { bad "$name has mode $mode" }
  if {$width != 64} { bad "$name is $width bits" }
}
if {$masters != 192 || $slaves != 96} { bad "$masters PL->AIE and $slaves AIE->PL ports, expected 192 and 96" }

set f [open [file join $here package_xo.tcl]]
set script [read $f]
close $f
if {![info complete $script]} { bad "package_xo.tcl is not a complete Tcl script" }
if {$fail} { exit 1 }
puts "check.tcl: [llength $rsn_kernel_args] kernel arguments, $masters + $slaves stream ports, package_xo.tcl parses"
