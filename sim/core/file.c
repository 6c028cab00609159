/* Whole-file reads, atomic writes, mkdir -p. */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read(const char *path, size_t max_bytes, char **out, size_t *len, err *e)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "cannot open '%s': %s", path,
                       strerror(errno));
    sbuf b;
    sbuf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > max_bytes) {
            fclose(f);
            sbuf_free(&b);
            return err_set(e, ERR_INPUT, "%s: file is larger than the %zu bytes allowed", path,
                           max_bytes);
        }
        if (sbuf_add(&b, chunk, n)) {
            fclose(f);
            sbuf_free(&b);
            return err_set(e, ERR_NOMEM, "%s: out of memory", path);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        sbuf_free(&b);
        return err_set(e, ERR_IO, "cannot read '%s'", path);
    }
    if (len)
        *len = b.len;
    *out = sbuf_take(&b);
    return *out ? 0 : err_set(e, ERR_NOMEM, "%s: out of memory", path);
}

int file_write_atomic(const char *path, const void *data, size_t len, err *e)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return err_set(e, ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            close(fd);
            unlink(tmp);
            return err_set(e, ERR_IO, "cannot write '%s': %s", tmp, strerror(saved));
        }
        p += w;
        len -= (size_t)w;
    }
    if (fsync(fd) || close(fd) || rename(tmp, path)) {
        int saved = errno;
        unlink(tmp);
        return err_set(e, ERR_IO, "cannot write '%s': %s", path, strerror(saved));
    }
    return 0;
}

int dir_make(const char *path, err *e)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return err_set(e, ERR_INPUT, "bad directory name '%s'", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0)
            continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0755) && errno != EEXIST)
            return err_set(e, ERR_IO, "cannot create directory '%s': %s", buf, strerror(errno));
        buf[i] = c;
    }
    return 0;
}
