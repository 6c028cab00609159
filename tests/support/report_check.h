/* Checks on a report folder: files there, image headers valid, every link in
 * an HTML page resolving. Header-only (static) like chain_fixture.h. */
#ifndef SUBNETSIM_REPORT_CHECK_H
#define SUBNETSIM_REPORT_CHECK_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline bool check_file_exists(const char *dir, const char *name)
{
    char path[8400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The whole file, NUL-terminated (NULL when unreadable); caller frees. */
static char *check_read_n(const char *dir, const char *name, size_t *len)
{
    char path[8400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = s ? fread(s, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!s)
        return NULL;
    s[got] = 0;
    if (len)
        *len = got;
    return s;
}

static char *check_read(const char *dir, const char *name) { return check_read_n(dir, name, NULL); }

/* An SVG that starts as one and ends closed (gnuplot finished it). */
static inline bool check_svg(const char *dir, const char *name)
{
    char *s = check_read(dir, name);
    bool ok = s && (!strncmp(s, "<?xml", 5) || !strncmp(s, "<svg", 4)) && strstr(s, "<svg") &&
              strstr(s, "</svg>");
    free(s);
    return ok;
}

/* A PNG: the signature, an IHDR first, and the width asked for (0: any). */
static inline bool check_png(const char *dir, const char *name, uint32_t width)
{
    size_t n = 0;
    unsigned char *s = (unsigned char *)check_read_n(dir, name, &n);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    bool ok = s && n > 33 && !memcmp(s, sig, 8) && !memcmp(s + 12, "IHDR", 4);
    if (ok && width) {
        uint32_t w = (uint32_t)s[16] << 24 | (uint32_t)s[17] << 16 | (uint32_t)s[18] << 8 | s[19];
        ok = w == width;
    }
    free(s);
    return ok;
}

/* Whether any entry of path's folder starts with path's last part. */
static inline bool check_glob_exists(const char *prefix_path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", prefix_path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    *slash = 0;
    const char *prefix = slash + 1;
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *de;
    while (!found && (de = readdir(d)))
        found = !strncmp(de->d_name, prefix, strlen(prefix));
    closedir(d);
    return found;
}

/* Every href="..." and src="..." of an HTML page in dir resolves: a file in
 * dir, or "#id" naming an element of the page. External links fail. */
static inline bool check_html_refs(const char *dir, const char *page, size_t *count, char *bad,
                            size_t badn)
{
    char *html = check_read(dir, page);
    if (!html) {
        snprintf(bad, badn, "cannot read %s", page);
        return false;
    }
    bool ok = true;
    *count = 0;
    const char *attrs[2] = {" href=\"", " src=\""};
    for (int a = 0; a < 2 && ok; a++) {
        for (const char *p = strstr(html, attrs[a]); p && ok; p = strstr(p + 1, attrs[a])) {
            const char *v = p + strlen(attrs[a]);
            const char *end = strchr(v, '"');
            if (!end)
                break;
            char ref[1024];
            snprintf(ref, sizeof ref, "%.*s", (int)(end - v), v);
            (*count)++;
            if (ref[0] == '#') {
                char id[1100];
                snprintf(id, sizeof id, "id=\"%s\"", ref + 1);
                ok = strstr(html, id) != NULL;
            } else {
                ok = !strchr(ref, ':') && ref[0] != '/' && check_file_exists(dir, ref);
            }
            if (!ok)
                snprintf(bad, badn, "%s: '%.200s' does not resolve", page, ref);
        }
    }
    free(html);
    return ok;
}

#endif
