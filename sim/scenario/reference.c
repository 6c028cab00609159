/* The Markdown field reference (scenarios/README.md embeds it), generated from
 * the tables like the schema. */
#include "scenario/internal.h"

#include <string.h>

/* A table cell: '|' would end it. */
static void cell(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            sbuf_puts(b, "\\|");
        else if (*s == '\n')
            sbuf_puts(b, " ");
        else
            sbuf_add(b, s, 1);
    }
}

static void names_list(sbuf *b, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sbuf_printf(b, "%s`%s`", i ? ", " : "", names[i]);
}

static void type_text(sbuf *b, const scenario_field *f, const scenario_family *const *fams,
                      size_t nfams)
{
    char range[128];
    scn_format_range(f, range, sizeof range);
    const char *sp = *range ? " " : "";
    switch (f->type) {
    case SCENARIO_BOOL: sbuf_puts(b, "boolean"); break;
    case SCENARIO_INT: sbuf_printf(b, "integer%s%s", sp, range); break;
    case SCENARIO_NUMBER: sbuf_printf(b, "number%s%s", sp, range); break;
    case SCENARIO_STRING: sbuf_puts(b, "string"); break;
    case SCENARIO_DURATION: sbuf_printf(b, "duration%s%s", sp, range); break;
    case SCENARIO_MOMENT: sbuf_puts(b, "block number or duration"); break;
    case SCENARIO_OBJECT: sbuf_printf(b, "`%s` object", f->table->name); break;
    case SCENARIO_ARRAY: sbuf_printf(b, "array of `%s`", f->table->name); break;
    case SCENARIO_INTS: sbuf_printf(b, "array of integers%s%s", sp, range); break;
    case SCENARIO_NUMBERS: sbuf_printf(b, "array of numbers%s%s", sp, range); break;
    case SCENARIO_STRINGS: sbuf_puts(b, "array of strings"); break;
    case SCENARIO_MAP: sbuf_printf(b, "object of name: number%s%s", sp, range); break;
    case SCENARIO_VARIANT: sbuf_printf(b, "`%s` (a kind, below)", f->slot); break;
    case SCENARIO_ENUM:
    case SCENARIO_NAME: {
        const char *names[128];
        size_t n = 0;
        if (f->type == SCENARIO_ENUM) {
            while (f->choices[n] && n < 128)
                n++;
            memcpy(names, f->choices, n * sizeof *names);
        } else {
            const scenario_kind *ks[128];
            n = scn_slot_kinds(fams, nfams, f->slot, ks, 128);
            for (size_t i = 0; i < n; i++)
                names[i] = ks[i]->name;
        }
        sbuf_puts(b, "one of ");
        names_list(b, names, n);
        break;
    }
    }
}

static void rows(sbuf *b, const scenario_table *t, const scenario_family *const *fams,
                 size_t nfams)
{
    for (size_t i = 0; t && i < t->nfields; i++) {
        const scenario_field *f = &t->fields[i];
        sbuf_printf(b, "| `%s` | ", f->name);
        sbuf tt;
        sbuf_init(&tt);
        type_text(&tt, f, fams, nfams);
        cell(b, tt.s ? tt.s : "");
        sbuf_free(&tt);
        sbuf_puts(b, " | ");
        if (f->def == SCENARIO_REQUIRED)
            sbuf_puts(b, "**required**");
        else if (f->def == SCENARIO_ABSENT)
            sbuf_puts(b, "(none)");
        else {
            sbuf_puts(b, "`");
            cell(b, f->def);
            sbuf_puts(b, "`");
        }
        sbuf_puts(b, " | ");
        cell(b, f->doc ? f->doc : "");
        sbuf_puts(b, " |\n");
    }
}

static void table_head(sbuf *b, const char *title, const char *doc)
{
    sbuf_printf(b, "#### %s\n\n", title);
    if (doc && *doc)
        sbuf_printf(b, "%s\n\n", doc);
    sbuf_puts(b, "| key | type | default | meaning |\n|---|---|---|---|\n");
}

/* Whether fams[k]->kinds[j] is the first kind of its slot. */
static bool first_of_slot(const scenario_family *const *fams, size_t k, size_t j)
{
    const char *slot = fams[k]->kinds[j].slot;
    for (size_t a = 0; a <= k; a++)
        for (size_t b = 0; b < (a == k ? j : fams[a]->nkinds); b++)
            if (strcmp(fams[a]->kinds[b].slot, slot) == 0)
                return false;
    return true;
}

/* A slot: its kinds and what each means, then each kind's fields. */
static void slot_section(sbuf *b, const scenario_family *const *fams, size_t nfams,
                         const char *slot)
{
    const scenario_kind *ks[128];
    size_t n = scn_slot_kinds(fams, nfams, slot, ks, 128);
    sbuf_printf(b, "#### `%s`\n\n| name | meaning |\n|---|---|\n", slot);
    for (size_t i = 0; i < n; i++) {
        sbuf_printf(b, "| `%s` | ", ks[i]->name);
        cell(b, ks[i]->doc ? ks[i]->doc : "");
        sbuf_puts(b, " |\n");
    }
    sbuf_puts(b, "\n");
    for (size_t i = 0; i < n; i++) {
        if (!ks[i]->table || ks[i]->table->nfields == 0)
            continue;
        char title[256];
        snprintf(title, sizeof title, "`%s`: `%s`", slot, ks[i]->name);
        table_head(b, title, NULL);
        rows(b, ks[i]->table, fams, nfams);
        sbuf_puts(b, "\n");
    }
}

static void profiles_section(sbuf *b, const scenario_family *const *fams, size_t nfams)
{
    sbuf_puts(b, "#### Profiles\n\n"
                 "`\"profile\": NAME` makes these the defaults; the file still overrides any of them.\n\n"
                 "| profile | field | value | source |\n|---|---|---|---|\n");
    for (size_t k = 0; k < nfams; k++) {
        for (size_t i = 0; i < fams[k]->nprofiles; i++) {
            const scenario_profile *p = &fams[k]->profiles[i];
            sbuf_printf(b, "| `%s` | ", p->name);
            cell(b, p->base ? "(the values of " : "");
            cell(b, p->base ? p->base : "");
            cell(b, p->base ? ", then:)" : "");
            sbuf_puts(b, " | | ");
            cell(b, p->doc ? p->doc : "");
            sbuf_puts(b, " |\n");
            for (size_t v = 0; v < p->nvalues; v++) {
                sbuf_printf(b, "| | `%s` | `", p->values[v].path);
                cell(b, p->values[v].json);
                sbuf_puts(b, "` | ");
                cell(b, p->values[v].source ? p->values[v].source : "");
                sbuf_puts(b, " |\n");
            }
        }
    }
    sbuf_puts(b, "\n");
}

int scenario_reference_md(const scenario_family *const *families, size_t n, char **out, err *e)
{
    *out = NULL;
    const scenario_family *fams[SCN_MAX_FAMILIES];
    size_t nfams = scn_all_families(families, n, fams);
    scn_tables tabs = {0};
    if (scn_collect_tables(fams, nfams, &tabs)) {
        VEC_FREE(&tabs);
        return err_set(e, ERR_INTERNAL, "cannot list the scenario tables (two tables share a name?)");
    }
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "<!-- generated by `subnetsim schema --markdown`: edit the tables, not this -->\n\n");
    for (size_t i = 0; i < tabs.len; i++) {
        const scenario_table *t = tabs.v[i];
        bool is_kind = false;
        for (size_t k = 0; k < nfams && !is_kind; k++)
            for (size_t j = 0; j < fams[k]->nkinds; j++)
                is_kind |= fams[k]->kinds[j].table == t;
        if (is_kind)
            continue;   /* listed under their kinds below */
        char title[160];
        bool root = false;
        for (size_t k = 0; k < nfams; k++)
            root |= fams[k]->root == t;
        snprintf(title, sizeof title, root ? "Top level (%s)" : "`%s`", t->name);
        table_head(&b, title, t->doc);
        rows(&b, t, fams, nfams);
        sbuf_puts(&b, "\n");
    }
    for (size_t k = 0; k < nfams; k++)
        for (size_t j = 0; j < fams[k]->nkinds; j++)
            if (first_of_slot(fams, k, j))
                slot_section(&b, fams, nfams, fams[k]->kinds[j].slot);
    profiles_section(&b, fams, nfams);
    VEC_FREE(&tabs);
    if (b.oom) {
        sbuf_free(&b);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = sbuf_take(&b);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}
