# Mandelbrot set in ASCII: float loops with early exits.
w = 40
h = 16
rows = []
total = 0
for y in range(h):
    line = ''
    ci = -1.2 + 2.4 * y / (h - 1)
    for x in range(w):
        cr = -2.1 + 2.8 * x / (w - 1)
        zr = 0.0
        zi = 0.0
        n = 0
        while n < 50 and zr * zr + zi * zi <= 4.0:
            zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
            n += 1
        total += n
        line += ' .:-=+*#%@'[n % 10] if n < 50 else '@'
    rows.append(line)
for r in rows:
    print(r)
print(total)
