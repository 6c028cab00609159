/* Report folders: written as DIR.tmp-PID, renamed into place when complete.
 * A folder is replaced only when it is empty or carries the report marker, so
 * `-o ~` cannot wipe a home directory. */
#define _XOPEN_SOURCE 700   /* nftw */
#include "report/report_internal.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void report_dir_remove(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whether a directory may be replaced: it is empty or is a report. */
static bool replaceable(const char *dir)
{
    char marker[4200];
    snprintf(marker, sizeof marker, "%s/%s", dir, REPORT_MARKER);
    if (access(marker, F_OK) == 0)
        return true;
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool empty = true;
    struct dirent *de;
    while (empty && (de = readdir(d)))
        empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
    closedir(d);
    return empty;
}

static void parent_of(const char *path, char *out, size_t n)
{
    snprintf(out, n, "%s", path);
    char *slash = strrchr(out, '/');
    if (!slash)
        snprintf(out, n, ".");
    else if (slash == out)
        out[1] = 0;
    else
        *slash = 0;
}

int report_dir_begin(const char *out_dir, char *tmp, size_t n, err *e)
{
    size_t len = strlen(out_dir);
    while (len > 1 && out_dir[len - 1] == '/')
        len--;
    if (len == 0 || len + 32 >= n)
        return err_set(e, ERR_INPUT, "bad output folder '%s'", out_dir);
    struct stat sb;
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)len, out_dir);
    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return err_set(e, ERR_INPUT, "'%s' exists and is not a folder", dir);
        if (!replaceable(dir))
            return err_set(e, ERR_INPUT,
                           "'%s' exists and is not a subnetsim report: choose another -o", dir);
    }
    char parent[4096];
    parent_of(dir, parent, sizeof parent);
    int rc = dir_make(parent, e);
    if (rc)
        return rc;
    snprintf(tmp, n, "%s.tmp-%ld", dir, (long)getpid());
    report_dir_remove(tmp);   /* a run with our pid that died here */
    if (mkdir(tmp, 0755))
        return err_set(e, ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
    return report_write_file(tmp, REPORT_MARKER, "subnetsim report\n", 17, e);
}

int report_dir_commit(const char *tmp, const char *out_dir, err *e)
{
    char dir[4096], old[4200];
    size_t len = strlen(out_dir);
    while (len > 1 && out_dir[len - 1] == '/')
        len--;
    snprintf(dir, sizeof dir, "%.*s", (int)len, out_dir);
    snprintf(old, sizeof old, "%s.old-%ld", dir, (long)getpid());
    struct stat sb;
    bool had = stat(dir, &sb) == 0;
    /* Checked again: something may have appeared there while we drew. */
    if (had && !replaceable(dir))
        return err_set(e, ERR_INPUT, "'%s' exists and is not a subnetsim report: choose another -o",
                       dir);
    /* Two renames: for a moment there is no report at dir, never half of one. */
    if (had && rename(dir, old))
        return err_set(e, ERR_IO, "cannot move the old report '%s' aside: %s", dir,
                       strerror(errno));
    if (rename(tmp, dir)) {
        int saved = errno;
        if (had)
            rename(old, dir);
        return err_set(e, ERR_IO, "cannot rename '%s' to '%s': %s", tmp, dir, strerror(saved));
    }
    if (had)
        report_dir_remove(old);
    return 0;
}

int report_write_file(const char *dir, const char *name, const char *text, size_t len, err *e)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return err_set(e, ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    size_t w = fwrite(text, 1, len, f);
    int bad = ferror(f);
    if (fclose(f) || bad || w != len)
        return err_set(e, ERR_IO, "cannot write '%s'", path);
    return 0;
}
