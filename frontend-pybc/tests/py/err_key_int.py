# KeyError with a non-string key, raised from a nested function.
def lookup(table, k):
    return table[k]
t = {1: 'one', 2: 'two'}
print(lookup(t, 1))
print(lookup(t, (3, 4)))
