"""Solution titles without a link, so that the whole title bar opens the solution.

sphinx-exercise titles a solution "Solution to Exercise N" and makes "Exercise N" a link back
to the exercise. With ``:class: dropdown`` sphinx-togglebutton makes the whole title bar the
toggle, so a tap on its middle follows the link instead: the page jumps to the exercise and
the solution stays closed (issue 20, item 7). This post-transform runs after sphinx-exercise
has built the titles (its priority 21) and replaces each link in a solution's title by the
link's own text; the exercise sits just above its solution, so nothing is lost.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform


class UnlinkSolutionTitles(SphinxPostTransform):
    default_priority = 22  # after sphinx_exercise.post_transforms.ResolveTitlesInSolutions
    formats = ("html",)

    def run(self) -> None:
        from sphinx_exercise.nodes import solution_node

        for solution in self.document.findall(solution_node):
            title = solution.children[0] if solution.children else None
            if not isinstance(title, nodes.title):
                continue
            for ref in list(title.findall(nodes.reference)):
                ref.replace_self(ref.children)


def setup(app: Sphinx) -> dict:
    app.add_post_transform(UnlinkSolutionTitles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
