# Packages rtl/ as the Vitis RTL kernel rsn_xnn_kernel (an .xo for v++ --link): the generated
# wrapper rtl/top/rsn_xnn_kernel.sv around rsn_xnn_top, whose ports carry the interface names
# below. `make check` compares that module's real port list (Verilator) with this recipe.
#
#   vivado -mode batch -source package_xo.tcl -tclargs XO_PATH WORK_DIR RTL_DIR
#
# The kernel arguments (register offsets, sizes, which AXI4 master each buffer argument serves) and
# the 288 AXI4-Stream PLIO ports come from kernel_args.tcl, generated from the host's register map
# (host/src/regs.rs) and rsn::isa::plio_ports. The interface contract of the RTL top is in
# regs.md ("Top-level ports").

if {$argc != 3} {
  puts stderr "usage: vivado -mode batch -source package_xo.tcl -tclargs XO_PATH WORK_DIR RTL_DIR"
  exit 1
}
lassign $argv xo_path work_dir rtl_dir
set kernel rsn_xnn_kernel
set part xcvc1902-vsva2197-2MP-e-S
set here [file dirname [file normalize [info script]]]
source [file join $here kernel_args.tcl]

# Sources: every SystemVerilog file of rtl/ except testbenches; packages first so that every
# module that imports one compiles after it.
set pkgs [list]
set mods [list]
foreach f [lsort [glob -nocomplain -types f -directory $rtl_dir *.sv */*.sv */*/*.sv]] {
  if {[string match "*/tb/*" $f]} { continue }
  if {[string match "*_pkg.sv" $f]} { lappend pkgs $f } else { lappend mods $f }
}
if {[llength $mods] == 0} { error "no SystemVerilog sources under $rtl_dir" }

file delete -force $work_dir
create_project -force rsn_pack [file join $work_dir project] -part $part
add_files -norecurse [concat $pkgs $mods]
set_property file_type SystemVerilog [get_files -of_objects [get_filesets sources_1] *.sv]
set_property top $kernel [current_fileset]
update_compile_order -fileset sources_1

set ip_dir [file join $work_dir ip]
ipx::package_project -root_dir $ip_dir -vendor rsn.local -library rsn -taxonomy /KernelIP -import_files -set_current false
ipx::unload_core [file join $ip_dir component.xml]
ipx::edit_ip_in_project -upgrade true -name rsn_edit -directory [file join $work_dir edit] [file join $ip_dir component.xml]
set core [ipx::current_core]
set_property core_revision 1 $core
set_property sdx_kernel true $core
set_property sdx_kernel_type rtl $core
set_property vitis_drc {ctrl_protocol ap_ctrl_hs} $core
set_property ipi_drc {ignore_freq_hz true} $core

# Interfaces: Vivado infers them from <interface>_<signal> port names; check that each one the
# host relies on exists with the right role, and clock them all from ap_clk.
set busifs [list s_axi_control]
foreach a $rsn_kernel_args {
  set p [lindex $a 4]
  if {$p ne "" && [lsearch -exact $busifs $p] < 0} { lappend busifs $p }
}
foreach p $rsn_axis_ports { lappend busifs [lindex $p 0] }
foreach b $busifs {
  if {[llength [ipx::get_bus_interfaces $b -of_objects $core]] == 0} {
    error "$kernel has no interface $b: name its signals ${b}_<signal> (see regs.md)"
  }
  ipx::associate_bus_interfaces -busif $b -clock ap_clk $core
}
foreach p $rsn_axis_ports {
  lassign $p name mode width
  set bif [ipx::get_bus_interfaces $name -of_objects $core]
  if {[get_property interface_mode $bif] ne $mode} {
    error "$name is an AXI4-Stream [get_property interface_mode $bif], expected $mode"
  }
  set tdata [ipx::get_port_maps TDATA -of_objects $bif]
  set phys [ipx::get_ports [get_property physical_name $tdata] -of_objects $core]
  set bits [expr {[get_property size_left $phys] - [get_property size_right $phys] + 1}]
  if {$bits != $width} { error "$name TDATA is $bits bits, the PLIO is $width" }
}
ipx::associate_bus_interfaces -clock ap_clk -reset ap_rst_n $core

# Control registers: the ap_ctrl_hs block, then the kernel arguments in XRT's index order.
set mm [ipx::add_memory_map -quiet s_axi_control $core]
set_property slave_memory_map_ref s_axi_control [ipx::get_bus_interfaces -of_objects $core s_axi_control]
set block [ipx::add_address_block -quiet reg0 $mm]
set_property range $rsn_control_bytes $block
foreach {name offset} {CTRL 0x000 GIER 0x004 IP_IER 0x008 IP_ISR 0x00c} {
  set reg [ipx::add_register -quiet $name $block]
  set_property address_offset $offset $reg
  set_property size 32 $reg
}
foreach a $rsn_kernel_args {
  lassign $a index name offset bytes busif
  set reg [ipx::add_register -quiet $name $block]
  set_property address_offset $offset $reg
  set_property size [expr {$bytes * 8}] $reg
  if {$busif ne ""} {
    set param [ipx::add_register_parameter -quiet ASSOCIATED_BUSIF $reg]
    set_property value $busif $param
  }
}

set_property xpm_libraries {XPM_CDC XPM_MEMORY XPM_FIFO} $core
ipx::update_source_project_archive -component $core
ipx::create_xgui_files $core
ipx::update_checksums $core
ipx::check_integrity -kernel $core
ipx::save_core $core
close_project -delete
close_project -delete

package_xo -force -xo_path $xo_path -kernel_name $kernel -ip_directory $ip_dir -ctrl_protocol ap_ctrl_hs
