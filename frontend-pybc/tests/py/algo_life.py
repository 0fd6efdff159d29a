# Conway's game of life on a small torus, with a glider and a blinker.
W = 12
H = 10
grid = [[0] * W for _ in range(H)]
for (r, c) in [(0, 1), (1, 2), (2, 0), (2, 1), (2, 2), (6, 7), (6, 8), (6, 9)]:
    grid[r][c] = 1
def step(g):
    new = [[0] * W for _ in range(H)]
    for r in range(H):
        for c in range(W):
            n = 0
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if dr or dc:
                        n += g[(r + dr) % H][(c + dc) % W]
            if g[r][c] == 1 and (n == 2 or n == 3):
                new[r][c] = 1
            elif g[r][c] == 0 and n == 3:
                new[r][c] = 1
    return new
for gen in range(6):
    print('gen', gen, sum([sum(row) for row in grid]))
    for row in grid:
        print(''.join(['#' if v else '.' for v in row]))
    grid = step(grid)
