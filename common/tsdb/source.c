#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errbuf.h"
#include "tsdb/source.h"

int
tsdb_source_open_file(struct tsdb_source *s, const char *path, char *err)
{
	struct stat st;
	void *p;
	int fd;

	memset(s, 0, sizeof(*s));
	if ((s->name = strdup(path)) == NULL)
		return errbuf_sys(err, "%s", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errbuf_sys(err, "%s", path);
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		errbuf_sys(err, "%s", path);
		close(fd);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		errbuf_set(err, "%s: not a regular file", path);
		close(fd);
		goto fail;
	}
	s->size = (uint64_t)st.st_size;
	if (s->size > 0) {
		p = mmap(NULL, (size_t)s->size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			errbuf_sys(err, "mmap %s", path);
			close(fd);
			goto fail;
		}
		s->map = p;
		s->maplen = (size_t)s->size;
	}
	close(fd);
	return 0;
fail:
	free(s->name);
	s->name = NULL;
	return -1;
}

int
tsdb_source_open_func(struct tsdb_source *s, const char *name, uint64_t size,
    int (*read)(void *, uint64_t, size_t, struct buf *, char *), void *ctx,
    char *err)
{
	memset(s, 0, sizeof(*s));
	if ((s->name = strdup(name)) == NULL)
		return errbuf_sys(err, "%s", name);
	s->size = size;
	s->read = read;
	s->ctx = ctx;
	return 0;
}

const unsigned char *
tsdb_source_read(struct tsdb_source *s, uint64_t off, size_t len,
    struct buf *scratch, char *err)
{
	if (off > s->size || len > s->size - off) {
		errbuf_set(err, "%s: %zu bytes at offset %llu run past the end "
		    "of the file (%llu bytes)", s->name, len,
		    (unsigned long long)off, (unsigned long long)s->size);
		return NULL;
	}
	if (s->map)
		return s->map + off;
	if (len == 0)
		return (const unsigned char *)"";
	if (s->read == NULL) {
		errbuf_set(err, "%s: no data", s->name);
		return NULL;
	}
	buf_reset(scratch);
	if (s->read(s->ctx, off, len, scratch, err) == -1)
		return NULL;
	if (scratch->len != len) {
		errbuf_set(err, "%s: short read at offset %llu", s->name,
		    (unsigned long long)off);
		return NULL;
	}
	return (const unsigned char *)scratch->data;
}

void
tsdb_source_close(struct tsdb_source *s)
{
	if (s->map)
		munmap((void *)s->map, s->maplen);
	free(s->name);
	memset(s, 0, sizeof(*s));
}
