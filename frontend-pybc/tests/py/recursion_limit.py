# sys.setrecursionlimit raises the limit for the rest of the run.
import sys
def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)
print(sys.getrecursionlimit(), depth(900))
sys.setrecursionlimit(3000)
print(sys.getrecursionlimit(), depth(2500))
sys.setrecursionlimit(1000)
print(depth(500))
