"""Sphinx configuration of the course website (built by ``make site``, see ``build.py``).

The pages are the notebooks as ``build.py`` executed them: Sphinx never runs them again.
Everything the build needs is installed with the ``site`` extra; nothing is fetched.
"""

project = "Deep Learning Demystified"
author = "Deep Learning Demystified contributors"
copyright = "the Deep Learning Demystified contributors, MIT licence"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks arrive executed; myst-nb only renders them.
nb_execution_mode = "off"
# A page has no kernel, so an explorer's widget view would stay empty: show the still picture
# (its text/html, or image/png) that every explorer puts next to the widget instead.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}  # no widget state on the pages, so no widget JavaScript either
nb_merge_streams = True  # one block per cell for printed text, as in JupyterLab

myst_enable_extensions = ["dollarmath", "amsmath", "html_image"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_show_sourcelink = False
html_theme_options = {
    "repository_url": "https://github.com/deep-learning-demystified/course",
    "repository_branch": "main",
    "path_to_docs": "notebooks",
    "use_repository_button": True,
    "use_download_button": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
