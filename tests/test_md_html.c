/*
 * test_md_html.c — the reports' Markdown as a page: each construct of the subset gives
 * the HTML written by hand below; text is escaped; an SVG figure is read from the asset
 * folder and placed inline; a missing one is said, and the page is still complete.
 */
#include "testutil.h"

#include "../src/report/md_html.h"

#include <stdlib.h>
#include <unistd.h>

/* md_to_html into a string (caller frees); *rc gets its return value. */
static char *render(const char *md, const char *dir, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *rc = md_to_html(f, md, strlen(md), "T & <t>", dir);
    fclose(f);
    return buf;
}

static void test_constructs(void **state)
{
    (void)state;
    int rc;
    char *h = render("# Title *one*\n\nA **bold** and `a<b` line\nwith [a link](x.html).\n\n"
                     "- item **1** & more\n- item 2\n\n| a | b |\n|---|---|\n| 1 | **2** |\n| 3 | 4 |\n\ntail\n",
                     NULL, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(h, "<title>T &amp; &lt;t&gt;</title>"));
    assert_non_null(strstr(h, "<h1>Title <em>one</em></h1>\n"));
    assert_non_null(strstr(h, "<p>A <strong>bold</strong> and <code>a&lt;b</code> line\nwith <a href=\"x.html\">a link</a>.</p>\n"));
    assert_non_null(strstr(h, "<ul>\n<li>item <strong>1</strong> &amp; more</li>\n<li>item 2</li>\n</ul>\n"));
    assert_non_null(strstr(h, "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n"
                              "<tr><td>1</td><td><strong>2</strong></td></tr>\n<tr><td>3</td><td>4</td></tr>\n</tbody></table>\n"));
    assert_non_null(strstr(h, "<p>tail</p>\n</main>\n</body>\n</html>\n"));
    free(h);
}

static void test_inline_figure(void **state)
{
    (void)state;
    char dir[] = "/tmp/infersim-md-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/f.svg", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>\n", f);
    fclose(f);
    int rc;
    char *h = render("See ![fig](f.svg) here.\n", dir, &rc);
    assert_int_equal(rc, 0);
    /* inline, without the XML declaration, inside the paragraph */
    assert_non_null(strstr(h, "<p>See <span class=\"figure\"><svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>\n</span> here.</p>"));
    assert_null(strstr(h, "<?xml"));
    free(h);
    /* a missing figure: said in the page, and the call says so */
    h = render("![gone](nope.svg)\n", dir, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(h, "<em>[figure missing: gone]</em>"));
    assert_non_null(strstr(h, "</html>\n"));
    free(h);
    /* a figure outside the folder is never read */
    h = render("![up](../f.svg)\n", dir, &rc);
    assert_int_equal(rc, -1);
    free(h);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constructs),
        cmocka_unit_test(test_inline_figure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
