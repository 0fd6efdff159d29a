# NameError for a misspelt local inside a function: the suggestion comes from its locals.
def area(radius):
    pi_value = 3.14159
    return pi_valu * radius * radius
print('computing')
print(area(2.0))
