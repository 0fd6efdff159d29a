# TypeError for other operators with wrong operand types: list - list.
print([1] * 2, 'ab' * 2)
print([1, 2] - [1])
