# NameError inside a function, for a global that does not exist yet.
def f():
    return undefined_global + 1
print('calling')
print(f())
