# args: 6
# N-queens by backtracking: counts all solutions for 1..N and prints the first board of N.
import sys
n = int(sys.argv[1])
def solve(n):
    cols = [0] * n
    used_col = [False] * n
    d1 = [False] * (2 * n)
    d2 = [False] * (2 * n)
    sols = []
    def place(r):
        if r == n:
            sols.append(cols[:])
            return
        for c in range(n):
            if not used_col[c] and not d1[r + c] and not d2[r - c + n]:
                used_col[c] = d1[r + c] = d2[r - c + n] = True
                cols[r] = c
                place(r + 1)
                used_col[c] = d1[r + c] = d2[r - c + n] = False
    place(0)
    return sols
for k in range(1, n + 1):
    s = solve(k)
    print(k, len(s), s[0] if s else None)
for c in solve(n)[0]:
    print(' '.join(['Q' if i == c else '.' for i in range(n)]))
