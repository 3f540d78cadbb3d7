/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * t5-readzero: time spent in the kernel on behalf of one known function.
 *
 *   t5-readzero READS
 *
 * main -> ft_t5_read_zero reads /dev/zero READS times, 64 KiB at a time
 * (0: until killed): nearly all of its time is the kernel's read path
 * (read_zero clearing the user buffer). For the tests of kernel frames
 * named from /proc/kallsyms.
 *
 * The system call is made by ft_t5_read_zero itself (inline, on x86-64
 * and arm64), not by libc's read(): libc's wrapper keeps no frame pointer,
 * so a frame-pointer walk from inside it skips its caller, and the kernel
 * frames would hang under main instead of under ft_t5_read_zero.
 */
#include "config.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workload.h"

#define FT_T5_READ_SIZE (64 * 1024)

/* read(2) without a call: the syscall instruction in the caller's body. */
FT_INLINE long ft_t5_sys_read(int fd, void *buf, size_t size)
{
#if defined(__x86_64__)
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_read), "D"((long)fd), "S"(buf), "d"(size)
			 : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_read;
	register long x0 __asm__("x0") = fd;
	register long x1 __asm__("x1") = (long)buf;
	register long x2 __asm__("x2") = (long)size;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
#else
	return read(fd, buf, size);
#endif
}

FT_NOINLINE static void ft_t5_read_zero(int fd, long reads)
{
	static char buf[FT_T5_READ_SIZE];

	for (long i = 0; reads == 0 || i < reads; i++) {
		if (ft_t5_sys_read(fd, buf, sizeof(buf)) != (long)sizeof(buf)) {
			fprintf(stderr, "t5-readzero: read failed\n");
			exit(1);
		}
	}
}

int main(int argc, char **argv)
{
	long reads;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: t5-readzero READS\n");
		return 2;
	}
	reads = ft_arg("t5-readzero", "read count", argv[1]);
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("t5-readzero: /dev/zero");
		return 1;
	}
	ft_t5_read_zero(fd, reads);
	close(fd);
	return 0;
}
