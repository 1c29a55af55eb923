-- POST a fixed JSON body (path, body and key from the environment).
wrk.method = "POST"
wrk.body = io.open(os.getenv("BODY_FILE")):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
