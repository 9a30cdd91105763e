"""HTML pages for the report: numbers formatted, every cell escaped, the card's Markdown."""

from __future__ import annotations

from genovocab.report_pages import (
    flatten,
    format_cell,
    markdown_html,
    stats_page,
    table_html,
    tsv_page,
)


def test_cells_are_formatted_by_kind():
    assert format_cell("6585") == ("6,585", True)
    assert format_cell("666312.0") == ("666,312", True)
    assert format_cell("0.96571095") == ("0.9657", True)
    assert format_cell("0.000759") == ("0.000759", True)
    assert format_cell("2.5e-07") == ("2.5e-07", True)
    assert format_cell("chr1") == ("chr1", False)
    assert format_cell("") == ("", False)


def test_tables_escape_and_align(tmp_path):
    html = table_html(["a<b", "n"], [["<script>", "12"]])
    assert "<th>a&lt;b</th>" in html and "<td>&lt;script&gt;</td>" in html
    assert '<td class="num">12</td>' in html
    tsv = tmp_path / "t.tsv"
    tsv.write_text("# a comment\nname\tvalue\nx\t1\ny\t2.5\n")
    page = tsv_page(tsv, "T")
    assert page.startswith("<!DOCTYPE html>") and "<h1>T</h1>" in page
    assert page.count("<tr>") == 3 and "2 rows" in page


def test_nested_statistics_are_flattened(tmp_path):
    stats = {"splits": {"train": {"rows": 3, "chromosomes": ["chr1", "chr2"]}}, "bytes": 10}
    assert flatten(stats) == [
        ("splits.train.rows", 3),
        ("splits.train.chromosomes", "chr1, chr2"),
        ("bytes", 10),
    ]
    path = tmp_path / "stats.json"
    path.write_text('{"documents": 10}')
    assert "<h2>peaks</h2>" in stats_page({"peaks": path}, "Corpora")


def test_card_markdown():
    card = (
        "---\nlicense: other\n---\n\n# Title\n\nSome `code` and **bold**.\n\n"
        "| a | b |\n|---|---|\n| 1 | `x` |\n\n- one\n- two\n\n```python\nx = 1 < 2\n```\n"
        "![plot](motifs/zipf.png)\n"
    )
    html = markdown_html(card)
    assert "<h2>Title</h2>" in html
    assert "<p>Some <code>code</code> and <strong>bold</strong>.</p>" in html
    assert "<tr><td>1</td><td><code>x</code></td></tr>" in html
    assert "<ul><li>one</li><li>two</li></ul>" in html
    assert "<pre>x = 1 &lt; 2</pre>" in html
    assert "<em>[plot plot: motifs/zipf.png]</em>" in html
    assert html.index("<h2>Title</h2>") < html.index("Hugging Face metadata")
    assert "license: other" in html
