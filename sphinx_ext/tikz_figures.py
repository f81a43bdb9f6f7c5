"""TikZ figures written like every other figure of the HTML book.

sphinxcontrib-tikz writes a figure as <div class="figure"> with its caption in a plain
<p>; Sphinx writes other figures as <figure> with a <figcaption>, which the theme
styles. This writes TikZ figures the same way, so that their captions look alike.
"""

from sphinxcontrib import tikz as sphinx_tikz


def visit_tikz(self, node):
    start = len(self.body)
    sphinx_tikz.html_visit_tikz(self, node)
    self.body[start] = self.body[start].replace('<div class="figure"', '<figure class="align-center"', 1)
    node["html_body_start"] = start


def depart_tikz(self, node):
    body = self.body
    # The caption, if any, is the last paragraph followed by its number ("Fig. N").
    for index in range(len(body) - 2, node["html_body_start"], -1):
        if body[index].startswith("<p") and 'class="caption-number"' in body[index + 1]:
            body.insert(index, "<figcaption>\n")
            body.append("</figcaption>\n")
            break
    body.append("</figure>\n")


def setup(app):
    app.setup_extension("sphinxcontrib.tikz")
    app.add_node(sphinx_tikz.tikz, override=True, html=(visit_tikz, depart_tikz),
                 latex=(sphinx_tikz.latex_visit_tikz, sphinx_tikz.latex_depart_tikz))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
