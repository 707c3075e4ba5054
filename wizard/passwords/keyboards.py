"""The French AZERTY keyboard as a zxcvbn adjacency graph, so keyboard walks count as weak.

zxcvbn 4.5.0 knows QWERTY, Dvorak and two numeric keypads. French staff type on the French
PC layout (AZERTY, as in Windows' and X11's « fr » layout), where "azerty", "qsdfgh",
"wxcvbn" and the unshifted number row "&é\\"'(" are the walks people actually use.

The graph has zxcvbn's shape: every character maps to its key's six neighbours, in the
order left, upper-left, upper-right, right, lower-right, lower-left (a "slanted" keyboard
whose rows are each offset by part of a key), each neighbour being the string of that key's
characters, unshifted first, shifted second; `None` where there is no key. The builder is a
port of zxcvbn's `build_keyboard_adjacency_graphs.py` (MIT licence, Dan Wheeler and Dropbox);
the layout below was written for this project from the French PC keyboard.
"""

from __future__ import annotations

import math

# The French PC layout, one key per token: unshifted character, then shifted character.
# Rows are written at their physical offset: each row sits a third of a key further right,
# exactly as zxcvbn draws its QWERTY. AltGr characters (€ @ # { [ | ` \ ^ ] }) are left
# out, as zxcvbn leaves them out for QWERTY. The top-left key is « ² » (no shifted sign),
# written "²" followed by a placeholder that is removed when the graph is built.
AZERTY_LAYOUT = """
²· &1 é2 "3 '4 (5 -6 è7 _8 ç9 à0 )° =+
    aA zZ eE rR tT yY uU iI oO pP ^¨ $£
     qQ sS dD fF gG hH jJ kK lL mM ù% *µ
   <> wW xX cC vV bB nN ,? ;. :/ !§
"""

# Stands for "no character" on a key that has no shifted sign.
_NO_CHARACTER = "·"

Graph = dict[str, list[str | None]]


def _slanted_neighbours(x: int, y: int) -> list[tuple[int, int]]:
    """The six neighbouring positions, in zxcvbn's direction order."""
    return [(x - 1, y), (x, y - 1), (x + 1, y - 1), (x + 1, y), (x, y + 1), (x - 1, y + 1)]


def build_graph(layout: str) -> Graph:
    """An adjacency graph for a slanted keyboard drawn like zxcvbn's QWERTY."""
    positions: dict[tuple[int, int], str] = {}
    token_width = 3  # two characters and a space
    for y, line in enumerate(layout.split("\n")):
        slant = y - 1
        column = 0
        for token in line.split():
            column = line.index(token, column)
            x, remainder = divmod(column - slant, token_width)
            if remainder:
                raise ValueError(f"key {token!r} is off the grid in row {y}")
            positions[(x, y)] = token.replace(_NO_CHARACTER, "")
            column += len(token)
    graph: Graph = {}
    for (x, y), key in positions.items():
        neighbours = [positions.get(position) for position in _slanted_neighbours(x, y)]
        for character in key:
            if character in graph:
                raise ValueError(f"{character!r} is on two keys")
            graph[character] = neighbours
    return graph


AZERTY: Graph = build_graph(AZERTY_LAYOUT)

# Characters typed with Shift on AZERTY (the digits among them: the number row is shifted).
AZERTY_SHIFTED = frozenset(token[1] for token in AZERTY_LAYOUT.split()
                           if token[1] != _NO_CHARACTER)


def average_degree(graph: Graph) -> float:
    """How many neighbours a key has on average (zxcvbn's `calc_average_degree`)."""
    return sum(len([n for n in neighbours if n]) for neighbours in graph.values()) / len(graph)


AZERTY_STARTING_POSITIONS = len(AZERTY)
AZERTY_AVERAGE_DEGREE = average_degree(AZERTY)


def azerty_walk_guesses(token: str, turns: int, shifted_count: int) -> float:
    """Guesses needed for an AZERTY walk: zxcvbn's keyboard formula with AZERTY's numbers.

    zxcvbn's `spatial_guesses` only uses keyboard statistics for graphs named "qwerty" or
    "dvorak" and would treat any other graph as a small keypad; and its spatial matcher only
    notices a shifted *first* character on those two graphs. Both are put right here.
    """
    starting, degree = AZERTY_STARTING_POSITIONS, AZERTY_AVERAGE_DEGREE
    length = len(token)
    guesses = 0.0
    for i in range(2, length + 1):
        possible_turns = min(turns, i - 1) + 1
        for j in range(1, possible_turns):
            guesses += math.comb(i - 1, j - 1) * starting * degree ** j
    if token and token[0] in AZERTY_SHIFTED:
        shifted_count += 1
    if shifted_count:
        unshifted = length - shifted_count
        if unshifted <= 0:
            guesses *= 2
        else:
            guesses *= sum(math.comb(length, i)
                           for i in range(1, min(shifted_count, unshifted) + 1))
    return guesses
