/*
 * md_html.h — the Markdown that infersim's reports are written in, as one standalone HTML
 * page: readable offline in any browser, nothing fetched.
 *
 * The subset is what the reports use: headings (#..######), paragraphs, "- " lists,
 * pipe tables (a header row, a |---| row, body rows), and inline **bold**, *italic*,
 * `code`, [text](url) and ![alt](file).  An image whose file ends in .svg is read from
 * `asset_dir` and placed inline (its XML declaration dropped), so the page carries its
 * figures; any other image stays a reference.  Text is HTML-escaped, and void elements
 * are self-closed, so the page is well-formed XML as well as HTML5.
 */
#ifndef INFERSIM_MD_HTML_H
#define INFERSIM_MD_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Write the page for md[0..len) to out, titled `title`; returns 0, or -1 when a figure
 * could not be read (the page is still complete, with the figure's alt text instead). */
int md_to_html(FILE *out, const char *md, size_t len, const char *title, const char *asset_dir);

#endif
