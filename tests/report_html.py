"""Reading a `reeflow report` page back: each figure's traces and each section's sentence."""

from __future__ import annotations

import json
import re


def figures(document: str) -> dict[str, list[dict]]:
    """Each figure's traces, decoded from its Plotly.newPlot call in the page."""
    found = {}
    for match in re.finditer(r'Plotly\.newPlot\(\s*"fig-([a-z-]+)",\s*', document):
        traces, _ = json.JSONDecoder().raw_decode(document, match.end())
        found[match.group(1)] = traces
    return found


def no_data_sentences(document: str) -> dict[str, str]:
    """Each section's first sentence saying why it has nothing (or less) to show."""
    found = {}
    for chunk in document.split('<section id="')[1:]:
        sentence = re.search(r'<p class="no-data">(.*?)</p>', chunk.split("</section>")[0])
        if sentence:
            found[chunk.split('"')[0]] = sentence.group(1)
    return found
