import streamlit as st

st.title("about_data")
st.write("This page is being built.")
