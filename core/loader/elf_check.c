/*
 * core/loader/elf_check.c - look at a plugin file before dlopen() maps it.
 *
 * dlopen() maps the segments a file's headers describe; if the file was
 * cut short (a partial copy, a full disk) the mapping runs past its end
 * and the first access kills the process with SIGBUS. Checking that the
 * ELF headers and every segment lie within the file turns that crash into
 * a refusal with a message, and lets "not a shared object" and "built for
 * another machine" say exactly that.
 */
#include "internal.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#endif

#if __SIZEOF_POINTER__ == 8
#define HOST_CLASS ELFCLASS64
#else
#define HOST_CLASS ELFCLASS32
#endif

#define PHDR_MAX 256

static int read_at(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;
	size_t got = 0;

	while (got < len) {
		n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* [off, off + len) lies within size, without overflow. */
static int within(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

int wsp__elf_check(const char *path, char *why, size_t cap)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	struct stat st;
	uint64_t size, need = 0;
	unsigned i;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, cap, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, cap, "not a regular file");
		goto out;
	}
	size = (uint64_t)st.st_size;
	if (read_at(fd, &eh, sizeof(eh), 0) < 0 ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		snprintf(why, cap, "not a shared object (no ELF header)");
		goto out;
	}
	if (eh.e_ident[EI_CLASS] != HOST_CLASS ||
	    eh.e_ident[EI_DATA] != (ELFDATA2LSB + (__BYTE_ORDER__ ==
						    __ORDER_BIG_ENDIAN__))) {
		snprintf(why, cap, "built for another word size or byte order");
		goto out;
	}
#ifdef HOST_MACHINE
	if (eh.e_machine != HOST_MACHINE) {
		snprintf(why, cap, "built for another machine (ELF machine "
				   "%u, this one is %u)",
			 eh.e_machine, HOST_MACHINE);
		goto out;
	}
#endif
	if (eh.e_type != ET_DYN) {
		snprintf(why, cap, "an ELF file but not a shared object");
		goto out;
	}
	if (eh.e_phentsize != sizeof(ph) || !eh.e_phnum ||
	    eh.e_phnum > PHDR_MAX ||
	    !within(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(ph), size)) {
		snprintf(why, cap, "truncated or corrupt (program headers "
				   "outside its %llu bytes)",
			 (unsigned long long)size);
		goto out;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		off_t at = (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph));

		if (read_at(fd, &ph, sizeof(ph), at) < 0) {
			snprintf(why, cap, "cannot read its program headers");
			goto out;
		}
		if (ph.p_type != PT_LOAD && ph.p_type != PT_DYNAMIC)
			continue;
		if (!within(ph.p_offset, ph.p_filesz, size)) {
			if (ph.p_offset + ph.p_filesz > need)
				need = ph.p_offset + ph.p_filesz;
		}
	}
	if (need) {
		snprintf(why, cap, "truncated: the file has %llu bytes, its "
				   "segments need %llu",
			 (unsigned long long)size, (unsigned long long)need);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}
