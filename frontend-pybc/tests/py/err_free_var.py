# NameError: a closure reads a variable of its enclosing function before assignment.
def outer():
    def inner():
        return value * 2
    first = inner
    print('calling inner')
    result = first()
    value = 21
    return result
outer()
