# The default recursion limit (1000 frames, the module's included): 998 nested calls
# below the module succeed, one more raises RecursionError.
def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)
print(depth(500))
print(depth(998))
print(depth(999))
