from ninja import NinjaAPI

api = NinjaAPI(title="接诉即办工作平台 API", version="1", docs_url="/docs")
