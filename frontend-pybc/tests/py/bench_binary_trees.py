# args: 8
# Binary trees: allocate and walk many perfect binary trees (a node is a pair, a leaf is empty),
# exercising allocation and memory management.
import sys


def make(depth):
    if depth == 0:
        return ()
    return (make(depth - 1), make(depth - 1))


def check(node):
    if len(node) == 0:
        return 1
    return 1 + check(node[0]) + check(node[1])


def pow2(k):
    p = 1
    for i in range(k):
        p = p * 2
    return p


def run(n):
    min_depth = 4
    max_depth = n
    if max_depth < min_depth + 2:
        max_depth = min_depth + 2
    print(max_depth + 1, check(make(max_depth + 1)))
    long_lived = make(max_depth)
    depth = min_depth
    while depth <= max_depth:
        iterations = pow2(max_depth - depth + min_depth)
        total = 0
        for i in range(iterations):
            total = total + check(make(depth))
        print(iterations, depth, total)
        depth = depth + 2
    print(max_depth, check(long_lived))


n = 16
if len(sys.argv) > 1:
    n = int(sys.argv[1])
run(n)
