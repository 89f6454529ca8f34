// qspin reference QAOA circuit: ea-pm1-3x3-s1, p = 1
// E(s) = offset + sum h s + sum J s s; qubit k = spin k, |0> = +1; offset 0.0
OPENQASM 3.0;
include "stdgates.inc";
input float[64] _beta_0_;
input float[64] _gamma_0_;
gate rzz(p0) _gate_q_0, _gate_q_1 {
  cx _gate_q_0, _gate_q_1;
  rz(p0) _gate_q_1;
  cx _gate_q_0, _gate_q_1;
}
qubit[9] q;
h q[0];
h q[1];
h q[2];
h q[3];
h q[4];
h q[5];
h q[6];
h q[7];
h q[8];
rzz(2*_gamma_0_) q[0], q[1];
rzz(2*_gamma_0_) q[0], q[2];
rzz(2*_gamma_0_) q[0], q[3];
rzz((-2)*_gamma_0_) q[0], q[6];
rzz((-2)*_gamma_0_) q[1], q[2];
rzz((-2)*_gamma_0_) q[1], q[4];
rzz((-2)*_gamma_0_) q[1], q[7];
rzz((-2)*_gamma_0_) q[2], q[5];
rzz(2*_gamma_0_) q[2], q[8];
rzz(2*_gamma_0_) q[3], q[4];
rzz(2*_gamma_0_) q[3], q[5];
rzz((-2)*_gamma_0_) q[3], q[6];
rzz((-2)*_gamma_0_) q[4], q[5];
rzz(2*_gamma_0_) q[4], q[7];
rzz(2*_gamma_0_) q[5], q[8];
rzz(2*_gamma_0_) q[6], q[7];
rzz((-2)*_gamma_0_) q[6], q[8];
rzz((-2)*_gamma_0_) q[7], q[8];
rx(2*_beta_0_) q[0];
rx(2*_beta_0_) q[1];
rx(2*_beta_0_) q[2];
rx(2*_beta_0_) q[3];
rx(2*_beta_0_) q[4];
rx(2*_beta_0_) q[5];
rx(2*_beta_0_) q[6];
rx(2*_beta_0_) q[7];
rx(2*_beta_0_) q[8];
