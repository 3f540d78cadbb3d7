/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libfthostile.so: the library a hostile user's program maps (see
 * hostile.c). Its hot function's symbol is a crafted C++ mangled name of
 * 571 bytes whose demangled form doubles with every nested template
 * level: about 2^75 bytes. libiberty's cplus_demangle() tries to build
 * all of it (c++filt runs out of time or memory on it); a profiler must
 * show it mangled, in bounded time and memory.
 *
 * ft_hostile_run(n) spins n iterations in that function. Both touch
 * nothing but the stack and their code (no static data, no call through
 * the PLT: the library is built with -fno-semantic-interposition), so a
 * caller keeps running them after their file was truncated to its code.
 */
#include "config.h"

#include "workload.h"

/* _Z1g1xP: g(x*<...>), where each level is x<previous level, previous level>. */
#define FT_HOSTILE_NAME                                                                            \
	"_Z1g1xPS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_"                 \
	"IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_"                 \
	"IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_IS_"                 \
	"IS_IS_IS_IS_IS_IS_S_ES0_ES1_ES2_ES3_ES4_ES5_ES6_ES7_ES8_ES9_ESA_ESB_ESC_"                 \
	"ESD_ESE_ESF_ESG_ESH_ESI_ESJ_ESK_ESL_ESM_ESN_ESO_ESP_ESQ_ESR_ESS_EST_ESU_"                 \
	"ESV_ESW_ESX_ESY_ESZ_ES10_ES11_ES12_ES13_ES14_ES15_ES16_ES17_ES18_ES19_ES"                 \
	"1A_ES1B_ES1C_ES1D_ES1E_ES1F_ES1G_ES1H_ES1I_ES1J_ES1K_ES1L_ES1M_ES1N_ES1O"                 \
	"_ES1P_ES1Q_ES1R_ES1S_ES1T_ES1U_ES1V_ES1W_ES1X_ES1Y_ES1Z_ES20_ES21_E"

void ft_hostile_run(long n);
void ft_hostile_spin(long n) __asm__(FT_HOSTILE_NAME);

FT_NOINLINE void ft_hostile_spin(long n)
{
	volatile long sink = 0;

	while (n-- > 0)
		sink++;
}

FT_NOINLINE void ft_hostile_run(long n)
{
	ft_hostile_spin(n);
}
