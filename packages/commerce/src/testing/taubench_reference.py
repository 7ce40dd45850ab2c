# An independent Python reading of /work/shared/taubench/README.md (the τ-bench retail tool
# table), used only by tests: the same calls run here and through our TypeScript engine must
# give byte-identical result strings, because Python's json.dumps and float arithmetic are
# the ground truth of those strings.
#   python3 taubench_reference.py <data dir>  < calls.jsonl  > results.jsonl
import json
import sys

data_dir = sys.argv[1]
users = json.load(open(f"{data_dir}/users.json"))
orders = json.load(open(f"{data_dir}/orders.json"))
products = json.load(open(f"{data_dir}/products.json"))


def order_items_ok(order, item_ids):
    ids = [i["item_id"] for i in order["items"]]
    for x in item_ids:
        if item_ids.count(x) > ids.count(x):
            return x
    return None


def price_diff(order, item_ids, new_item_ids):
    diff = 0
    for old, new in zip(item_ids, new_item_ids):
        item = [i for i in order["items"] if i["item_id"] == old][0]
        variants = products[item["product_id"]]["variants"]
        if not (new in variants and variants[new]["available"]):
            return None, f"Error: new item {new} not found or available"
        diff += variants[new]["price"] - item["price"]
    return diff, None


def call(name, a):
    if name == "get_order_details":
        return json.dumps(orders[a["order_id"]]) if a["order_id"] in orders else "Error: order not found"
    if name == "get_user_details":
        return json.dumps(users[a["user_id"]]) if a["user_id"] in users else "Error: user not found"
    if name == "calculate":
        e = a["expression"]
        if not all(c in "0123456789+-*/(). " for c in e):
            return "Error: invalid characters in expression"
        try:
            return str(round(float(eval(e, {"__builtins__": None}, {})), 2))
        except Exception as ex:
            return f"Error: {ex}"
    if name == "modify_user_address":
        if a["user_id"] not in users:
            return "Error: user not found"
        u = users[a["user_id"]]
        u["address"] = {k: a[k] for k in ["address1", "address2", "city", "state", "country", "zip"]}
        return json.dumps(u)
    if a["order_id"] not in orders:
        return "Error: order not found"
    o = orders[a["order_id"]]
    pms = users[o["user_id"]]["payment_methods"]
    if name == "cancel_pending_order":
        if o["status"] != "pending":
            return "Error: non-pending order cannot be cancelled"
        if a["reason"] not in ["no longer needed", "ordered by mistake"]:
            return "Error: invalid reason"
        refunds = []
        for p in o["payment_history"]:
            refunds.append({"transaction_type": "refund", "amount": p["amount"], "payment_method_id": p["payment_method_id"]})
            if "gift_card" in p["payment_method_id"]:
                pm = pms[p["payment_method_id"]]
                pm["balance"] = round(pm["balance"] + p["amount"], 2)
        o["status"] = "cancelled"
        o["cancel_reason"] = a["reason"]
        o["payment_history"].extend(refunds)
        return json.dumps(o)
    if name == "modify_pending_order_address":
        if o["status"] != "pending":
            return "Error: non-pending order cannot be modified"
        o["address"] = {k: a[k] for k in ["address1", "address2", "city", "state", "country", "zip"]}
        return json.dumps(o)
    if name == "modify_pending_order_payment":
        if o["status"] != "pending":
            return "Error: non-pending order cannot be modified"
        if a["payment_method_id"] not in pms:
            return "Error: payment method not found"
        ph = o["payment_history"]
        if len(ph) != 1 or ph[0]["transaction_type"] != "payment":
            return "Error: there should be exactly one payment for a pending order"
        if ph[0]["payment_method_id"] == a["payment_method_id"]:
            return "Error: the new payment method should be different from the current one"
        amount = ph[0]["amount"]
        new = pms[a["payment_method_id"]]
        if new["source"] == "gift_card" and new["balance"] < amount:
            return "Error: insufficient gift card balance to pay for the order"
        old_id = ph[0]["payment_method_id"]
        ph.extend([
            {"transaction_type": "payment", "amount": amount, "payment_method_id": a["payment_method_id"]},
            {"transaction_type": "refund", "amount": amount, "payment_method_id": old_id},
        ])
        if new["source"] == "gift_card":
            new["balance"] = round(new["balance"] - amount, 2)
        if "gift_card" in old_id:
            pms[old_id]["balance"] = round(pms[old_id]["balance"] + amount, 2)
        return json.dumps(o)
    if name == "modify_pending_order_items":
        if o["status"] != "pending":
            return "Error: non-pending order cannot be modified"
        missing = order_items_ok(o, a["item_ids"])
        if missing is not None:
            return f"Error: {missing} not found"
        if len(a["item_ids"]) != len(a["new_item_ids"]):
            return "Error: the number of items to be exchanged should match"
        diff, err = price_diff(o, a["item_ids"], a["new_item_ids"])
        if err:
            return err
        if a["payment_method_id"] not in pms:
            return "Error: payment method not found"
        pm = pms[a["payment_method_id"]]
        if pm["source"] == "gift_card" and pm["balance"] < diff:
            return "Error: insufficient gift card balance to pay for the new item"
        o["payment_history"].append({"transaction_type": "payment" if diff > 0 else "refund", "amount": abs(diff), "payment_method_id": a["payment_method_id"]})
        if pm["source"] == "gift_card":
            pm["balance"] = round(pm["balance"] - diff, 2)
        for old, new in zip(a["item_ids"], a["new_item_ids"]):
            item = [i for i in o["items"] if i["item_id"] == old][0]
            v = products[item["product_id"]]["variants"][new]
            item["item_id"] = new
            item["price"] = v["price"]
            item["options"] = v["options"]
        o["status"] = "pending (item modified)"
        return json.dumps(o)
    if name == "return_delivered_order_items":
        if o["status"] != "delivered":
            return "Error: non-delivered order cannot be returned"
        if a["payment_method_id"] not in pms:
            return "Error: payment method not found"
        if "gift_card" not in a["payment_method_id"] and a["payment_method_id"] != o["payment_history"][0]["payment_method_id"]:
            return "Error: payment method should be either the original payment method or a gift card"
        if order_items_ok(o, a["item_ids"]) is not None:
            return "Error: some item not found"
        o["status"] = "return requested"
        o["return_items"] = sorted(a["item_ids"])
        o["return_payment_method_id"] = a["payment_method_id"]
        return json.dumps(o)
    if name == "exchange_delivered_order_items":
        if o["status"] != "delivered":
            return "Error: non-delivered order cannot be exchanged"
        missing = order_items_ok(o, a["item_ids"])
        if missing is not None:
            return f"Error: {missing} not found"
        if len(a["item_ids"]) != len(a["new_item_ids"]):
            return "Error: the number of items to be exchanged should match"
        diff, err = price_diff(o, a["item_ids"], a["new_item_ids"])
        if err:
            return err
        diff = round(diff, 2)
        if a["payment_method_id"] not in pms:
            return "Error: payment method not found"
        pm = pms[a["payment_method_id"]]
        if pm["source"] == "gift_card" and pm["balance"] < diff:
            return "Error: insufficient gift card balance to pay for the price difference"
        o["status"] = "exchange requested"
        o["exchange_items"] = sorted(a["item_ids"])
        o["exchange_new_items"] = sorted(a["new_item_ids"])
        o["exchange_payment_method_id"] = a["payment_method_id"]
        o["exchange_price_difference"] = diff
        return json.dumps(o)
    return f"Error: unknown tool {name}"


for line in sys.stdin:
    c = json.loads(line)
    print(json.dumps({"result": call(c["name"], c["arguments"])}), flush=False)
print(json.dumps({"users": users, "orders": orders}))
